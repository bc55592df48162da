"""Countries, UN M49 regions and the groupings that cut across them."""
