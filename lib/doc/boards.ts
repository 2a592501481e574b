/** Dashboards of an experiment (chart cards and their layout), in the workspace doc. */
export {};
