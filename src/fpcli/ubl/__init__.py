"""UBL 2.1 (Invoice, CreditNote) reading into the EN 16931 model."""
