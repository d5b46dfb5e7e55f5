# Themes, "You Said, We Did" actions and review meetings arrive with the participation issue.
