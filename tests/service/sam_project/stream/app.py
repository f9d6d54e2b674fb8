import os

from shared_lib import layer_tag
from utils import describe

TABLE = os.environ["ORDERS_TABLE"]
BUCKET = os.environ["ARCHIVE_BUCKET"]
AT_IMPORT = {"function": os.environ["AWS_LAMBDA_FUNCTION_NAME"], "cwd": os.getcwd(), "layer": layer_tag()}


def handler(event, context):
    return {"code": "stream", "table": TABLE, "bucket": BUCKET, "helper": describe(), "at_import": AT_IMPORT}
