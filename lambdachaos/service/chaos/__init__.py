"""Fault application: where a fault plan's decisions meet deliveries and attempts."""
