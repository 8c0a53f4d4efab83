// The mobile-only field of schemas/clients/mobile/mobile.graphql.
export default {
  User: {
    displayName: (user: { name: string }) => user.name.split(' ')[0] ?? user.name,
  },
};
