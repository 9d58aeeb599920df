"""Documents produced from a manifest: the driver cover sheet, its QR code, and other exports."""
