"""The HTTP endpoints of DESIGN section 6, one router per resource."""
