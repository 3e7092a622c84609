"""Pure request builders, one module per area: values in, a ``Request`` out."""
