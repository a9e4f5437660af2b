"""Trading's readers and access chokepoints, one module per entity."""
