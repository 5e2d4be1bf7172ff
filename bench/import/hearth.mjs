import "hearth";
