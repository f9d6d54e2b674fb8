import os


def describe():
    return f"stream utils in {os.environ['AWS_LAMBDA_FUNCTION_NAME']}"
