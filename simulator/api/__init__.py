"""The Bot API surface of the simulator: the HTTP server and its routes, parameter reading, the
official spec every call is checked against, the methods, getUpdates/webhooks and flood limits.
"""
