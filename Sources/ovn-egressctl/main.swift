print("ovn-egressctl: not yet implemented")
