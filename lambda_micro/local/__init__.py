"""Development-time tools: the SAM template model, the event builder, result checks, the function loader,
local AWS resources, the drift check and the local gateway. Never imported by ``import lambda_micro``."""
