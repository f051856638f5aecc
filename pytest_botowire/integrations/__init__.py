"""One module per foreign library (aiobotocore, moto, requests), each registering itself
through the interfaces ``capture`` offers. Nothing below imports them.
"""
