"""ace321: screen cross-border truck shipments for Section 321 and build ACE highway eManifests."""

__version__ = "0.1.0"
