"""Logins and what they may do: sign-in, sessions and throttling (``auth``),
who may see and coach whom (``access``), and the guard that keeps staff
sessions from writing citizen evidence (``citizen``).
"""
