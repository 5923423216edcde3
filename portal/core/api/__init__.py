"""What every API endpoint shares: the base view, pagination, the schema class, OPTIONS metadata, id fields and
filters, the error body and its exception handler. Kept import-free: DRF settings load these modules early."""
