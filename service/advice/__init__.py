"""Presenting advice; nothing here is executed.

A recommendation as RDS calls (``actions``), a MinCapacity timetable as EventBridge
Scheduler entries (``scheduler``), and an advice as a table, JSON and HTML (``report``).
"""
