"""What the routes do, kept out of the route functions: parsing inputs, screening, storing."""
