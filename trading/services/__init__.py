"""Trading's writers, one module per entity; import them from their module."""
