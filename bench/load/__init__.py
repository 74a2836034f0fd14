"""Helpers of ``bench/echo_load.py``: the wrk Lua script, /proc readings, the servers.

The modules here are imported by the benchmark's parent process only. The scripts under
``servers/`` are never imported: each one runs as its own process (``python -I PATH``),
so they import nothing from this folder.
"""
