import "hearth/testing";
