"""LINDI 0.4's ``lindi.LindiRemfile`` package path; URL resolvers live in :mod:`lindi.store.url_resolvers`."""
