"""Trading's own receivers of domain events (registered when the app is ready)."""
