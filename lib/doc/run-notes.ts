/** A run's description as collaborative text in its run doc. */
export {};
