"""The performance record: ``record_rating``, the rollups and scores every
figure is read from, and ratings held for review (``ratings``).
"""
