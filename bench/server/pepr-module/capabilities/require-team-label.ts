import { Capability, a } from "pepr";

export const RequireTeamLabel = new Capability({
  name: "require-team-label",
  description: "Pods must carry a team label.",
});

const { When } = RequireTeamLabel;

When(a.Pod)
  .IsCreatedOrUpdated()
  .Validate(req =>
    req.HasLabel("team") ? req.Approve() : req.Deny("Pods must carry a team label"),
  );
