"""The signed-in pages of trading, one module per console (URLs name each view by its module)."""
