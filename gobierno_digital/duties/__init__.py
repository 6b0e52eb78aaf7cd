"""The enlace TIC standing duties (seed §5.1 a–d): a periodic checklist per dependency."""
