// @relais/edge: the agent that runs on the device. Its public API is exported here as it lands.
export {}
