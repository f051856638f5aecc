"""The example suite imports the publisher from this folder."""
