"""Finance: invoices, credit notes, daily revenue recognition, deferred revenue, parallel run."""
