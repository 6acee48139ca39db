server = None
