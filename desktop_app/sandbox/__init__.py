"""Local stand-ins for Salesforce and billing systems (HTTPS on 127.0.0.1) for demo mode and tests.

Nothing here imports the app's upper layers: the sandbox serves the app, it does not use it.
"""
