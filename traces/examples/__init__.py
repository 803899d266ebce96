"""Example metric exports shipped with acuplan (see README, "Your own cluster")."""
