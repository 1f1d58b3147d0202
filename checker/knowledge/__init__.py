"""Knowledge: the registry, rule sets, decisions and waivers, loaded from YAML and checked by JSON Schemas."""
