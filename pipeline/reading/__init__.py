"""Reading documents: page preparation, OCR, document type and key fields."""
