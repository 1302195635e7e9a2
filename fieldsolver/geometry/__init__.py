"""The cross-section as the user describes it: the model (frozen dataclasses in SI units,
validated in one place), the YAML loader (errors name file, line and key), the templates, the
stackup builder and the length units. Imports nothing else of fieldsolver's but its constants."""
