"""Partnership links between organizations, their lifecycle, the network and introductions."""
