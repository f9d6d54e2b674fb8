import os

LOADED_FOR = os.environ["AWS_LAMBDA_FUNCTION_NAME"]


def layer_tag():
    return f"shared layer loaded for {LOADED_FOR}"
