import os

from shared_lib import layer_tag
from utils import describe

TABLE = os.environ["ORDERS_TABLE"]
AT_IMPORT = {"function": os.environ["AWS_LAMBDA_FUNCTION_NAME"], "cwd": os.getcwd(), "layer": layer_tag()}


def handler(event, context):
    return {"code": "orders", "table": TABLE, "helper": describe(), "at_import": AT_IMPORT,
            "now": os.environ["ORDERS_TABLE"], "has_archive": "ARCHIVE_BUCKET" in os.environ}
