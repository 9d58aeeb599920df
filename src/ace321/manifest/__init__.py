"""ACE highway eManifest: the trip file, the manifest model, its validation and its building.

The model here is neutral: each export format (``ace321.exports``) maps it to its own document.
"""
