"""LINDI 0.4's ``lindi.tar`` package path: :class:`lindi.tar.lindi_tar.LindiTarFile` over this package's containers."""
