"""Named reports (问题反映): the /report conversation, its summary card and views, /mine."""
