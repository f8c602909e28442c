"""PDF rendering (WeasyPrint) for the forms the portal prints: receipts, slips, tracking book."""
