"""scoping: search, deduplicate, screen in pairs and count PRISMA for literature scoping reviews."""

__version__ = "0.1.0"
