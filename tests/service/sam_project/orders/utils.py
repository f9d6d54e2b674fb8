import os

PREFIX = os.environ["ORDERS_TABLE"]


def describe():
    return f"orders utils for {PREFIX}"
