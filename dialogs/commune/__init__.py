"""The commune officer's year: numbers (/stats), targets (/targets) and deadlines
(/deadlines). Each dialog starts on an area given in its start data, or the officer's own;
the services check the scope again on every call."""
