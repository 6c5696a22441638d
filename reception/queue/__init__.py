"""The queue engine: a domain core that takes values and models, flushes and never commits."""
