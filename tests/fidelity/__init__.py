"""End-to-end fidelity suite: HDF5/NWB fixtures -> LINDI -> compared with h5py and pynwb."""
