/** The reasons the agent gives, worded as the Amazon ECS agent words them, so tools that match on them work. */
export const reasons = {
  essentialExited: 'Essential container in task exited',
  outOfMemory: 'OutOfMemoryError: Container killed due to memory usage',
  namespaceLost: 'Task network namespace exited: the task can no longer reach its network',
  containerVanished: 'DockerStateError: the container was removed outside Berth',
  cannotPull: (message: string) => `CannotPullContainerError: ${message}`,
  cannotCreate: (message: string) => `CannotCreateContainerError: ${message}`,
  cannotStart: (message: string) => `CannotStartContainerError: ${message}`,
  resourceInitialization: (message: string) => `ResourceInitializationError: ${message}`,
  dependencyNotMet: (container: string, dependency: string, condition: string) =>
    `CannotStartContainerError: dependency condition ${condition} of container '${dependency}' can no longer be met, so '${container}' cannot start`,
};
