REJECT_FIELD = "item"
