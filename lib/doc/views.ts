/** Saved views of an experiment's runs table, in the workspace doc (shared by collaborators). */
export {};
